"""Theme momentum: counting, the evidence behind calls, scoring, and the table, plot and report."""
