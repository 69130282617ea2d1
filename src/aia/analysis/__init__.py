"""Analyses over coded material: agreement between classifiers."""
