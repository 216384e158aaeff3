"""Protocol deviations (不適合): the log, suggestions from the rules, decisions on them."""
