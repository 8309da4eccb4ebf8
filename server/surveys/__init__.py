"""Surveys: the form definitions in forms/ and what people read of a record.

`labels` reads and checks the label files of the household and village forms (forms/<kind>/labels.json);
`display` turns a record's answers, and the changes between two versions, into labelled text. Nothing else reads
forms/. Pure: no Flask, no database (Phiếu A, the rule engine's own data, lives in config/rules/quick-screen/).
"""
