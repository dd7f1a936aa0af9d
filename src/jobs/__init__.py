"""Notebooks run by the jobs that stages create (thin), and the plain, tested logic they call."""
