"""Every command the bot answers, listed once: its name, its callback, how it is answered and
which Telegram menu shows it. The handlers are derived from this table (``handlers.register``,
``handlers.admin.register``, the form conversation), and so are the menus (``handlers.setup``);
a command in a menu is described by the catalog key ``commands.<name>`` in every language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from handlers import admin, commands, reminders
from handlers.admin_forms import begin_add, begin_edit, begin_translation, cancel, form_skip
from handlers.admin_guard import Callback

# How a command is answered, which decides where its handler goes:
#   "everyone"    anyone, in any chat;
#   "admin"       an admin command (the callback checks the role), from new messages only;
#   "form_start"  opens a guided admin form: an entry point of the form conversation;
#   "form_step"   answered only while a form waits for a field's text;
#   "form_exit"   leaves a form, and is answered outside one too.
Route = Literal["everyone", "admin", "form_start", "form_step", "form_exit"]
# Everyone sees the public menu; an admin's private chat shows the admin menu after it.
Menu = Literal["public", "admin"]


@dataclass(frozen=True)
class Command:
    name: str
    callback: Callback
    route: Route
    menu: Menu | None = None  # None: answered, but not offered in a menu


# Each menu lists its commands in the order of this table.
COMMANDS: tuple[Command, ...] = (
    Command("start", commands.start, "everyone", menu="public"),
    Command("help", commands.help_command, "everyone", menu="public"),
    Command("agreement", commands.agreement, "everyone", menu="public"),
    Command("events", reminders.events, "everyone", menu="public"),
    Command("events_ics", commands.events_calendar, "everyone", menu="public"),
    Command("contacts", commands.contacts, "everyone", menu="public"),
    Command("search", commands.search, "everyone", menu="public"),
    Command("subscribe", reminders.subscribe, "everyone", menu="public"),
    Command("unsubscribe", reminders.unsubscribe, "everyone", menu="public"),
    Command("language", commands.language, "everyone", menu="public"),
    Command("myid", commands.my_id, "everyone"),
    Command("addfaq", begin_add("faq"), "form_start", menu="admin"),
    Command("editfaq", begin_edit("faq"), "form_start", menu="admin"),
    Command("delfaq", admin.delete_command("faq"), "admin", menu="admin"),
    Command("addalt", admin.add_alternate, "admin"),
    Command("faq", admin.faq_list, "admin", menu="admin"),
    Command("translate", begin_translation, "form_start", menu="admin"),
    Command("unanswered", admin.unanswered, "admin", menu="admin"),
    Command("stats", admin.stats, "admin", menu="admin"),
    Command("undo", admin.undo, "admin", menu="admin"),
    Command("export", admin.export, "admin", menu="admin"),
    Command("import", admin.import_command, "admin", menu="admin"),
    Command("restore", admin.restore, "admin", menu="admin"),
    Command("synonyms", admin.synonyms, "admin", menu="admin"),
    Command("synonym", admin.synonym, "admin"),
    Command("addevent", begin_add("event"), "form_start", menu="admin"),
    Command("editevent", begin_edit("event"), "form_start"),
    Command("delevent", admin.delete_command("event"), "admin"),
    Command("addcontact", begin_add("contact"), "form_start", menu="admin"),
    Command("editcontact", begin_edit("contact"), "form_start"),
    Command("delcontact", admin.delete_command("contact"), "admin"),
    Command("history", admin.history, "admin", menu="admin"),
    Command("admins", admin.admins, "admin", menu="admin"),
    Command("addadmin", admin.add_admin, "admin"),
    Command("deladmin", admin.remove_admin, "admin"),
    Command("cancel", cancel, "form_exit", menu="admin"),
    Command("skip", form_skip, "form_step"),
)

MENU_COMMANDS = tuple(command.name for command in COMMANDS if command.menu == "public")
ADMIN_COMMANDS = tuple(command.name for command in COMMANDS if command.menu == "admin")


def routed(route: Route) -> tuple[Command, ...]:
    """The commands answered as ``route``, in the order of the table."""
    return tuple(command for command in COMMANDS if command.route == route)
