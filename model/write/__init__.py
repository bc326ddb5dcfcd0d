"""Writers: study workbooks (`workbook`), plan tables (`csv`, `xlsx`) and the output folder."""
