"""From a question to entries: text folding and typos, the lexical matcher, sentence
embeddings, their fusion (``retrieval``) and the decision to answer, suggest or refuse."""
