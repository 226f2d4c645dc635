"""The French query language (`parse`, into the neutral `tree`), French dates (`dates`), and what every
engine's ranking reads in a query: the days it names (`cues`) and its words' idf shares (`coverage`)."""
