"""Casper's Kitchens helpers shared by several stages (shipped in the bundle as the asset `caspers/`)."""
