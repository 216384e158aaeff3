"""Sites, roles and each user's language: who may do what, and where."""
