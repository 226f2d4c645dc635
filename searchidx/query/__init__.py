"""The French query language (`parse`) and French dates (`dates`)."""
