"""`python -m gutnerve` runs the command line."""

from gutnerve.cli import run

if __name__ == "__main__":
    run()
