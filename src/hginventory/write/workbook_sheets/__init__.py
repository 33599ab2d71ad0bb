"""The sheets of the national inventory workbook (`write.workbook` puts them together).

`layout`: where the rows and columns of the live sheets are, and the column headers;
`calculation`: the Factors and Calculation sheets; `summary`: the Summary with its
double-counting adjustments; `sources`, `charts`, `key_categories`, `checks`: one sheet each.
The sheets written only when an option asks for them are in `write.option_sheets`.
"""
