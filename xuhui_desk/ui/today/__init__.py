"""Today (今日工作), the page the program opens on: what is due, by list, with the counts kept live
in the navigation (:mod:`.controller`), the page itself (:mod:`.page`) and the desktop
notifications before a deadline passes (:mod:`.notifier`)."""
