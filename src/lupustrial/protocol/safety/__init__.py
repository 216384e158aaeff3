"""Safety reporting under Japan's Clinical Trials Act, declared as data with its sources.

Seriousness criteria, the causality scale, expectedness against the reference safety
information and the reporting table (疾病等報告, Enforcement Regulations Art. 54): plain values
in, clocks with their deadlines out. No database, no request, no file.
"""
