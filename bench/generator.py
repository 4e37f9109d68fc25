"""A deterministic synthetic knowledge base, and questions about it.

Entries are FAQ entries with 3 phrasings in each of the bot's four languages. Each entry is a
*concept*: a few content words drawn from a vocabulary shared by all entries with a Zipf
distribution, so that common words are everywhere, rare ones pin an entry down, and some entries
are near-duplicates of others. A concept word has a form in every language: Latin pseudo-words
for English and German (German with umlauts and compound-like length), Cyrillic ones with
inflectional endings for Russian, two-character Han words for Chinese. Phrasings mix the
concept words with each language's real function words, so stopword removal and stemming work
as on real text.

Questions take a phrasing and damage it: typos, reordered words, truncation; out-of-scope
questions use words the knowledge base never contains. The same seed gives the same data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from knowledge.i18n.languages import languages
from knowledge.records.models import FaqEntry

LANGUAGES = ("en", "de", "ru", "zh")
PHRASINGS_PER_LANGUAGE = 3
VOCABULARY = 3000  # concept words, each with a form in every language
ZIPF = 1.05

_LATIN = "bcdfghklmnprstvwz"
_VOWELS = "aeiou"
_GERMAN_VOWELS = "aeiouäöü"
_CYRILLIC = "бвгдзклмнпрстфхчш"
_CYRILLIC_VOWELS = "аеиоуыя"
_RUSSIAN_ENDINGS = ("", "а", "у", "ом", "ы", "ов", "ами", "е", "ой")
# Common Han characters that are not function characters of the Chinese catalog.
_HAN = (
    "国家城市发展经济交通文化教育科学技术合作项目计划中心建设管理服务系统工程设计研究"
    "医院学校公园博物馆银行公司市场产品能源环境资源旅游体育音乐艺术历史地区人口工业"
    "农业水利电力通信网络数据信息安全标准质量价格政策法律会议论坛展览活动组织机构代表"
    "专家学生老师青年妇女儿童社区居民家庭健康疫苗药品病毒诊断治疗防控卫生营养食品"
)


# Out-of-scope words are made of other letters, as real off-topic words (weather, cake) are
# other words; they still meet the typo index and the common words of the knowledge base.
_FOREIGN_LATIN = "jqxywv"
_FOREIGN_CYRILLIC = "жщцйэю"
_FOREIGN_HAN = "".join(
    ch
    for ch in "天气蛋糕巧克力足球比赛电影歌曲游戏手机汽车咖啡茶叶衣服鞋子猫狗鸟鱼花草树山海雨雪"
    "风云星月阳亮暗冷热甜酸苦辣香饭菜面包肉蛋奶糖盐油醋酒杯碗筷刀叉床桌椅门窗墙灯镜钟表"
    if ch not in _HAN
)


@dataclass(frozen=True)
class Question:
    text: str
    lang: str
    expected: int | None  # the entry that answers it; None when out of scope
    damage: str  # exact, typo, reorder, truncate, out_of_scope


class Generator:
    def __init__(self, seed: int = 2021) -> None:
        self.rng = random.Random(seed)
        self.words = {lang: self._vocabulary(lang, VOCABULARY) for lang in LANGUAGES}
        self.foreign = {lang: self._vocabulary(lang, 800, foreign=True) for lang in LANGUAGES}
        self.stopwords = {lang: sorted(languages()[lang].stopwords) for lang in LANGUAGES}
        weights = [1 / (rank + 1) ** ZIPF for rank in range(VOCABULARY)]
        self._zipf = weights

    def _vocabulary(self, lang: str, size: int, foreign: bool = False) -> list[str]:
        made: set[str] = set()
        result = []
        while len(result) < size:
            word = self._word(lang, foreign)
            if word not in made:
                made.add(word)
                result.append(word)
        return result

    def _word(self, lang: str, foreign: bool = False) -> str:
        rng = self.rng
        if lang == "zh":
            pool = _FOREIGN_HAN if foreign else _HAN
            return rng.choice(pool) + rng.choice(pool)
        consonants, vowels = {
            "en": (_FOREIGN_LATIN if foreign else _LATIN, _VOWELS),
            "de": (_FOREIGN_LATIN if foreign else _LATIN, _GERMAN_VOWELS),
            "ru": (_FOREIGN_CYRILLIC if foreign else _CYRILLIC, _CYRILLIC_VOWELS),
        }[lang]
        syllables = rng.randint(2, 4) if lang != "de" else rng.randint(2, 5)
        return "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables))

    def entries(self, count: int) -> list[FaqEntry]:
        concepts: list[list[int]] = []
        entries = []
        for entry_id in range(1, count + 1):
            if concepts and self.rng.random() < 0.25:  # a near-duplicate of an earlier entry
                base = self.rng.choice(concepts)
                concept = base[: self.rng.randint(3, 4)] + self._concept_words(1)
            else:
                concept = self._concept_words(self.rng.randint(4, 6))
            concept = list(dict.fromkeys(concept))
            concepts.append(concept)
            questions = {
                lang: [self._phrasing(concept, lang) for _ in range(PHRASINGS_PER_LANGUAGE)]
                for lang in LANGUAGES
            }
            answers = {lang: self._sentence(concept, lang, 25) for lang in LANGUAGES}
            entries.append(FaqEntry(entry_id, questions, {"answer": answers}))
        return entries

    def _concept_words(self, count: int) -> list[int]:
        return self.rng.choices(range(VOCABULARY), weights=self._zipf, k=count)

    def _form(self, index: int, lang: str) -> str:
        word = self.words[lang][index]
        if lang == "ru":
            return word + self.rng.choice(_RUSSIAN_ENDINGS)  # inflection, undone by stemming
        return word

    def _phrasing(self, concept: list[int], lang: str) -> str:
        content = self.rng.sample(concept, k=min(len(concept), self.rng.randint(3, 5)))
        words = [self._form(index, lang) for index in content]
        words += self.rng.sample(self.stopwords[lang], k=self.rng.randint(2, 4))
        self.rng.shuffle(words)
        return _join(words, lang).capitalize() + ("？" if lang == "zh" else "?")

    def _sentence(self, concept: list[int], lang: str, length: int) -> str:
        words = [self._form(self.rng.choice(concept), lang) for _ in range(length // 3)]
        words += self.rng.choices(self.words[lang][:500], k=length - len(words))
        self.rng.shuffle(words)
        return _join(words, lang).capitalize() + "."

    def questions(self, entries: list[FaqEntry], count: int) -> list[Question]:
        """In-scope questions with each kind of damage, and one in six out of scope."""
        kinds = ("exact", "typo", "typo", "reorder", "truncate", "out_of_scope")
        questions = []
        for number in range(count):
            kind = kinds[number % len(kinds)]
            lang = LANGUAGES[(number // len(kinds)) % len(LANGUAGES)]
            if kind == "out_of_scope":
                questions.append(Question(self._out_of_scope(lang), lang, None, kind))
                continue
            entry = self.rng.choice(entries)
            text = self.rng.choice(entry.questions[lang])
            questions.append(Question(self._damage(text, lang, kind), lang, entry.id, kind))
        return questions

    def _damage(self, text: str, lang: str, kind: str) -> str:
        text = text.rstrip("?？")
        if lang == "zh":
            return self._damage_chinese(text, kind)
        words = text.split()
        if kind == "reorder":
            self.rng.shuffle(words)
        elif kind == "truncate" and len(words) > 2:
            words = words[:-1]
            if len(words[-1]) > 5 and lang != "zh":
                words[-1] = words[-1][: max(4, len(words[-1]) * 2 // 3)]
        elif kind == "typo":
            long_words = [i for i, w in enumerate(words) if len(w) >= 5]
            for index in self.rng.sample(long_words, k=min(len(long_words), 2)):
                words[index] = self._typo(words[index])
        return " ".join(words)

    def _damage_chinese(self, text: str, kind: str) -> str:
        """Chinese has no spaces and no spelling typos: words move, the end is cut off, or a
        character is replaced by a wrong one."""
        if kind == "reorder":
            cut = self.rng.randrange(1, len(text))
            return text[cut:] + text[:cut]
        if kind == "truncate":
            return text[:-2]
        if kind == "typo":
            position = self.rng.randrange(len(text))
            return text[:position] + self.rng.choice(_HAN) + text[position + 1 :]
        return text

    def _typo(self, word: str) -> str:
        rng = self.rng
        position = rng.randrange(1, len(word) - 1)
        letters = {*word}
        match rng.choice(("delete", "insert", "substitute", "transpose")):
            case "delete":
                return word[:position] + word[position + 1 :]
            case "insert":
                return word[:position] + rng.choice(sorted(letters)) + word[position:]
            case "substitute":
                return word[:position] + rng.choice(sorted(letters)) + word[position + 1 :]
            case _:
                return (
                    word[: position - 1]
                    + word[position]
                    + word[position - 1]
                    + word[position + 1 :]
                )

    def _out_of_scope(self, lang: str) -> str:
        words = self.rng.sample(self.foreign[lang], k=self.rng.randint(2, 4))
        words += self.rng.sample(self.stopwords[lang], k=2)
        if self.rng.random() < 0.5:  # "weather in Moscow": one word the knowledge base knows
            words.append(self.words[lang][self.rng.randrange(20)])
        self.rng.shuffle(words)
        return _join(words, lang)


def _join(words: list[str], lang: str) -> str:
    return "".join(words) if lang == "zh" else " ".join(words)
