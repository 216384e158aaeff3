"""Investigational product accountability: anifrolumab lots and their movements per site."""
