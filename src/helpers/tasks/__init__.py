"""Formative checks of each workbook's structured answers (one module per unit)."""
