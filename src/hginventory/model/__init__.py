"""The records every stage shares: what was read from an activity workbook, its facilities and
reporting fields, and a trend folder. The reader fills them, the checks and the engine take them;
none of them reads a file, so the engine never needs the reader."""
