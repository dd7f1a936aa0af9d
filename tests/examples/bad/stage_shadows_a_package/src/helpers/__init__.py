"""Helpers the stages import."""
