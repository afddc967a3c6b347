"""Size limits on input, in one place (README, "Limits").

Anything larger is refused with a one-line error after reading at most one
byte past the limit, so a huge or endless input is never read into memory.
"""

MAX_CASE_BYTES = 1_000_000  # one case: an --input file, standard input, or one batch line
MAX_FILE_BYTES = 1_000_000  # one knowledge-base YAML file
