"""The command line: a thin shell over gutnerve.api.

Each finding of the knowledge base becomes a flag pair --X / --no-X of
`assess`, so the command is built at start-up from the knowledge base chosen
by --kb (or $GUTNERVE_KB). Every error is one line on stderr and an exit
status from ExitCode; no traceback reaches the user.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from gutnerve import __version__
from gutnerve.exit_codes import ExitCode

if TYPE_CHECKING:  # imported when a command needs them, to keep start-up lean
    from gutnerve.model import KnowledgeBase

PROG = "gutnerve"


class UserError(Exception):
    """Bad usage or input: shown as one line, exit 2."""


# --------------------------------------------------------------------------
# Shared state and options


class Shell:
    """What one invocation shares: the knowledge base path, loaded once, lazily."""

    def __init__(self, kb_path: str | None, argv: Sequence[str] = ()):
        self.kb_path = kb_path
        self.argv = tuple(argv)  # as typed: a --X/--no-X pair keeps only its last value once parsed
        self._kb: KnowledgeBase | None = None

    def kb(self, override: Path | None = None) -> KnowledgeBase:
        from gutnerve.knowledge import load

        if override is not None and str(override) != self.kb_path:
            self.kb_path, self._kb = str(override), None
        if self._kb is None:
            self._kb = load(self.kb_path)
            # The knowledge base lives until the process ends: take it out of the cyclic
            # garbage collector's passes, which otherwise walk all of it again and again
            # (on a 2,000-cause knowledge base that was a third of the run time).
            import gc

            gc.freeze()
        return self._kb


KbOption = Annotated[
    Path | None,
    typer.Option(
        "--kb", help="Use the knowledge base in this folder (default: $GUTNERVE_KB, else the shipped one).", show_default=False
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Write one JSON document to standard output.")]
FORMATS = ("table", "json", "jsonl", "markdown", "csv")  # as gutnerve.render.formats.FORMATS, without importing it
FORMAT_HELP = "Output format: table (for people), json, jsonl, markdown (to paste into notes) or csv."
FormatOption = Annotated[str | None, typer.Option("--format", "-f", help=FORMAT_HELP, show_default=False)]
TopOption = Annotated[int | None, typer.Option("--top", min=1, help="Keep only the N most probable causes.", show_default=False)]


def _style() -> Any:
    from gutnerve.render.plain import Style

    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    return Style(color=bool(color), width=_width())


def _width() -> int:
    """The terminal's width; for output that is not a terminal, COLUMNS when it is set (a pipe
    into a pager of known width), else 120. Never below 60, where the tables stop being legible."""
    if sys.stdout.isatty():
        return max(60, os.get_terminal_size(sys.stdout.fileno()).columns)
    columns = os.environ.get("COLUMNS", "")
    return max(60, int(columns)) if columns.isdigit() else 120


def _write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _write_json(data: Any) -> None:
    from gutnerve.jsonio import dumps_document

    _write(dumps_document(data))


def _emit_listing(rows: list[dict[str, Any]], columns: list[tuple[str, str]], as_json: bool) -> None:
    """Write rows as one JSON document, or as a table for people."""
    if as_json:
        return _write_json(rows)
    from gutnerve.render.text import listing

    _write(listing(rows, columns, _style()))


def _read_input(source: str) -> bytes:
    """The bytes of a file, or of standard input for '-', with a size limit."""
    from gutnerve.limits import MAX_CASE_BYTES

    if source == "-":
        data = sys.stdin.buffer.read(MAX_CASE_BYTES + 1)
    else:
        path = Path(source)
        if path.is_dir():
            raise UserError(f"--input {source}: is a folder, not a file")
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_CASE_BYTES + 1)
        except OSError as error:
            raise UserError(f"--input {source}: {error.strerror or error}") from None
    if len(data) > MAX_CASE_BYTES:
        raise UserError(f"--input {source}: larger than the limit of {MAX_CASE_BYTES} bytes")
    return data


# --------------------------------------------------------------------------
# The app


def build_app(shell: Shell, with_findings: bool) -> typer.Typer:
    app = typer.Typer(
        name=PROG,
        help="Differential diagnosis of leg and foot nerve, muscle and joint symptoms in people with gut disorders. "
        "Decision support only, not a diagnosis.",
        no_args_is_help=True,
        add_completion=True,
        context_settings={"help_option_names": ["-h", "--help"]},
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def root(
        version: Annotated[
            bool, typer.Option("--version", help="Show the version and exit.", is_eager=True, callback=_show_version)
        ] = False,
        kb: KbOption = None,
    ) -> None:
        if kb is not None:
            shell.kb_path = str(kb)  # before the command: applies to whichever command follows

    app.command(name="assess", help=ASSESS_HELP)(_assess_command(shell, shell.kb() if with_findings else None))

    @app.command(name="batch")
    def batch(
        file: Annotated[str, typer.Argument(help="A JSONL file of cases, one JSON object a line; - for standard input.")],
        top: TopOption = None,
        format_: FormatOption = None,
        json_: JsonOption = False,
        jobs: Annotated[
            int | None,
            typer.Option("--jobs", "-j", min=1, help="Worker processes (default: one per core).", show_default=False),
        ] = None,
        kb: KbOption = None,
    ) -> None:
        """Assess many cases: JSONL in, one result a line out (JSONL unless --format says otherwise), in input order."""
        from gutnerve import batch as batch_run

        fmt = _format(format_, json_, default="jsonl")
        knowledge = shell.kb(kb)
        style = _style() if fmt == "table" else None
        jobs = jobs or batch_run.default_jobs()
        with _open_input(file) as (handle, size), _progress(size) as progress:
            try:
                errors = batch_run.run(knowledge, shell.kb_path, handle, sys.stdout.buffer, top, jobs, progress, fmt, style)
            except batch_run.ReadError as error:
                raise UserError(f"{file}: {error}") from None
        if errors:
            raise _Failed(f"{errors} line(s) of {file} could not be assessed; see their error objects")

    @app.command(name="findings")
    def findings(json_: JsonOption = False, kb: KbOption = None) -> None:
        """List every finding: its id (the flag name), label and category."""
        from gutnerve.report import findings_list

        columns = [("id", "Flag (--id / --no-id)"), ("label", "Label"), ("category", "Category"), ("red_flag", "Red flag")]
        _emit_listing(findings_list(shell.kb(kb)), columns, json_)

    @app.command(name="causes")
    def causes(json_: JsonOption = False, kb: KbOption = None) -> None:
        """List every cause in the knowledge base."""
        from gutnerve.report import causes_list

        columns = [
            ("id", "Id"),
            ("name", "Name"),
            ("mechanism", "Mechanism"),
            ("urgency", "Urgency"),
            ("prevalence", "Prevalence"),
        ]
        _emit_listing(causes_list(shell.kb(kb)), columns, json_)

    @app.command(name="explain")
    def explain(
        item: Annotated[
            str,
            typer.Argument(help="A cause id (see `gutnerve causes`) or a finding id (see `gutnerve findings`).", metavar="ID"),
        ],
        json_: JsonOption = False,
        kb: KbOption = None,
    ) -> None:
        """A study card for a cause (mechanism, findings, red flags, workup, sources) or a finding
        (meaning, background and its source, red flag, how strongly it speaks for each cause)."""
        from gutnerve.api import explain_any
        from gutnerve.model import Cause
        from gutnerve.report import cause_dict, finding_card

        knowledge = shell.kb(kb)
        try:
            found = explain_any(knowledge, item)
        except KeyError as error:
            raise UserError(str(error.args[0])) from None
        card = cause_dict(knowledge, found) if isinstance(found, Cause) else finding_card(knowledge, found)
        if json_:
            return _write_json(card)
        from gutnerve.render import text

        _write((text.cause_card if card["kind"] == "cause" else text.finding_card)(card, _style()))

    @app.command(name="schema")
    def schema(
        kind: Annotated[str, typer.Argument(help="case (the input) or result (the output).", show_default=False)],
        kb: KbOption = None,
    ) -> None:
        """Print the JSON Schema (draft 2020-12) of a case or of a result, with the ids of the knowledge base."""
        from gutnerve import schema as schemas

        if kind not in schemas.KINDS:
            raise UserError(f"schema {kind}: not one of {', '.join(schemas.KINDS)}")
        _write_json(schemas.schema(kind, shell.kb(kb)))

    kb_app = typer.Typer(help="Work with knowledge bases.", no_args_is_help=True)

    @kb_app.command(name="validate")
    def validate(
        path: Annotated[
            Path | None, typer.Argument(help="Knowledge base folder (default: the one in use).", show_default=False)
        ] = None,
        json_: JsonOption = False,
    ) -> None:
        """Check a knowledge base and report every issue at once."""
        from gutnerve.knowledge import default_path
        from gutnerve.knowledge import validate as check

        target = path or (Path(shell.kb_path) if shell.kb_path else default_path())
        issues = check(target)
        if json_:
            _write_json([{"level": i.level, "where": i.where, "message": i.message, "fix": i.fix} for i in issues])
        else:
            for issue in issues:
                _write(f"{issue.level}: {issue.one_line()}")
            if not issues:
                _write(f"{target}: knowledge base is valid")
        if issues:
            raise typer.Exit(ExitCode.BAD_INPUT)

    app.add_typer(kb_app, name="kb")
    return app


ASSESS_HELP = (
    "Rank the causes of leg or foot symptoms for one person. Give findings as flags: --X if present, "
    "--no-X if known absent; a finding not given is unknown. Decision support only, not a diagnosis."
)


def _assess_command(shell: Shell, kb: KnowledgeBase | None) -> Any:
    """The assess function, with one --X/--no-X option per finding of `kb`."""

    def assess(ctx: typer.Context, **options: Any) -> None:
        from gutnerve.api import assess_case
        from gutnerve.api import explain as explain_cause
        from gutnerve.case import SEXES, merge, parse_case, parse_json
        from gutnerve.report import assessment_dict

        knowledge = shell.kb(options.pop("kb"))
        given = _typed_findings(ctx, knowledge.findings)
        both = [f for f in given if {f"--{f}", f"--no-{f}"} <= set(shell.argv)]
        if both:
            raise UserError(f"--{both[0]} and --no-{both[0]} both given: a finding cannot be both present and absent")
        case: dict[str, Any] = {}
        if options["input"] is not None:
            case = parse_json(_read_input(options["input"]))
            if not isinstance(case, dict):
                raise UserError(f"--input {options['input']}: a case must be a JSON object")
        flags: dict[str, Any] = {
            "present": [f for f in given if options[_param(f)]],
            "absent": [f for f in given if not options[_param(f)]],
        }
        for key in ("age", "sex"):
            if options[key] is not None:
                flags[key] = options[key]
        fmt = _format(options["format_"], options["json_"], default="table")
        merged = merge(case, flags)
        reading = None
        if options["text"] is not None:
            from datetime import date

            from gutnerve.freetext import combine, understand

            given_sex = merged.get("sex")  # checked with the rest of the case below; here only a known one
            reading = understand(options["text"], knowledge, today=date.today(), sex=given_sex if given_sex in SEXES else None)
            # a red flag said with doubt ("possibly cannot pee") is worth a differential of its own: it shows the warning
            if not (reading.present or reading.absent or reading.doubted_ids or merged.get("present") or merged.get("absent")):
                hints = "; ".join(f"{phrase!r} -> --{finding}?" for phrase, finding in reading.suggestions[:3])
                doubts = "; ".join(f"{m.phrase!r}: {m.doubt}" for m in reading.uncertain)
                hints = "; ".join(part for part in (hints, f"uncertain, not used: {doubts}" if doubts else "") if part)
                raise UserError(f"--text: no finding recognised in {options['text']!r}" + (f" ({hints})" if hints else ""))
            merged = combine(reading, merged)
        checked = parse_case(merged, knowledge)
        if options["why"] is not None:
            try:
                explain_cause(knowledge, options["why"])
            except KeyError as error:  # an unknown cause, with a suggestion
                raise UserError(f"--why: {error.args[0]}") from None
        assessment = assess_case(knowledge, checked, options["top"])
        result = assessment_dict(knowledge, assessment)
        if reading is not None:
            from gutnerve.questions import raised_by
            from gutnerve.report import understood_dict

            raised = raised_by(knowledge, checked, reading.doubted_ids) if reading.doubted_ids else {}
            result = {**result, "understood": understood_dict(reading, raised)}
        if options["why"] is not None:
            from gutnerve.report import why_dict

            result = {**result, "why": why_dict(knowledge, assessment, options["why"])}
        if options["ask"] is not None:
            from gutnerve.report import ask_dict

            result = {**result, "ask": ask_dict(knowledge, checked, options["ask"])}
        if fmt == "table":  # a safety net for the person at a terminal; JSON stays the batch line's
            from gutnerve.report import watch_dicts

            result = {**result, "watch_for": watch_dicts(knowledge, assessment)}
        _emit_result(result, fmt, options["top"], len(knowledge.causes))

    params = [
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context),
        _option("age", int | None, typer.Option("--age", min=0, max=120, help="Age in whole years.", show_default=False)),
        _option("sex", str | None, typer.Option("--sex", help="female or male.", show_default=False, callback=_check_sex)),
        _option(
            "input",
            str | None,
            typer.Option("--input", help="Read the case from a JSON file; - for standard input.", show_default=False),
        ),
        _option("json_", bool, typer.Option("--json", help="Write one JSON document to standard output."), default=False),
        _option("format_", str | None, typer.Option("--format", "-f", help=FORMAT_HELP, show_default=False)),
        _option(
            "text",
            str | None,
            typer.Option(
                "--text",
                "-t",
                help='Describe the case in words, e.g. "burning feet and diarrhoea for 3 months, no weight loss". '
                "Shows what it understood; combines with flags (a conflict is an error).",
                show_default=False,
            ),
        ),
        _option(
            "top", int | None, typer.Option("--top", min=1, help="Keep only the N most probable causes.", show_default=False)
        ),
        _option(
            "why",
            str | None,
            typer.Option(
                "--why",
                help="A cause id: show why it ranks where it does, finding by finding, beside the cause ranked first.",
                show_default=False,
            ),
        ),
        _option(
            "ask",
            int | None,
            typer.Option(
                "--ask",
                min=1,
                help="Show the N unanswered questions whose answer would most change the differential, "
                "and those whose yes would raise the triage level.",
                show_default=False,
            ),
        ),
        _option("kb", Path | None, typer.Option("--kb", help="Use the knowledge base in this folder.", show_default=False)),
    ]
    for finding in kb.findings.values() if kb else ():
        flag = "" if finding.red_flag is None else f" [red flag: {finding.red_flag.level}]"
        # A plain bool with default False, not `bool | None`: Typer builds a pydantic validator
        # for every option whose value is not already a bool, which for 1,000 untouched
        # `bool | None` flags cost a quarter of a second. Whether a flag was typed at all comes
        # from the parser instead (_typed_findings).
        params.append(
            _option(
                _param(finding.id),
                bool,
                typer.Option(
                    f"--{finding.id}/--no-{finding.id}",
                    help=f"{finding.meaning}{flag}",
                    rich_help_panel=f"{finding.category.capitalize()} findings",
                    show_default=False,
                ),
                default=False,
            )
        )
    assess.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return assess


def _format(chosen: str | None, as_json: bool, default: str) -> str:
    """The output format from --format and its short form --json."""
    if chosen is not None and chosen not in FORMATS:
        raise UserError(f"--format {chosen}: not one of {', '.join(FORMATS)}")
    if as_json and chosen not in (None, "json"):
        raise UserError(f"--json and --format {chosen} disagree; give one of them")
    return "json" if as_json else chosen or default


def _emit_result(result: dict[str, Any], fmt: str, top: int | None, total: int) -> None:
    """One assessment in the chosen format on standard output."""
    if fmt == "json":
        return _write_json(result)
    if fmt == "table":
        style = _style()
        if not style.color:  # not a terminal: the plain table, without importing rich
            from gutnerve.render import plain

            return _write(plain.assessment(result, style.width, rows=top, total=total))
        from gutnerve.render.text import assessment

        return _write(assessment(result, style, rows=top, total=total))
    from gutnerve.render import formats

    if fmt == "markdown":
        return _write(formats.markdown(result))
    if fmt == "csv":
        if "understood" in result:  # CSV has no place for it: tell the person on standard error
            sys.stderr.write(formats.understood_lines(result["understood"]))
        if "why" in result:  # nor for this
            sys.stderr.write("\n".join(formats.why_lines(result["why"])) + "\n")
        if "ask" in result:  # nor for this
            sys.stderr.write("\n".join(formats.ask_lines(result["ask"])) + "\n")
        return _write(formats.csv_header() + formats.csv_rows(result))
    _write(formats.encode(fmt, None, result).decode())


def _show_version(value: bool) -> None:
    if value:
        _write(f"{PROG} {__version__}")
        raise typer.Exit(0)


def _typed_findings(ctx: typer.Context, findings: Iterable[str]) -> list[str]:
    """The findings given on the command line as --X or --no-X (the rest are unknown)."""
    from typer._click.core import ParameterSource

    return [f for f in findings if ctx.get_parameter_source(_param(f)) is ParameterSource.COMMANDLINE]


def _param(finding_id: str) -> str:
    return "f_" + finding_id.replace("-", "_")


def _option(name: str, kind: Any, option: Any, default: Any = None) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[kind, option])


def _check_sex(value: str | None) -> str | None:
    if value is not None and value not in ("female", "male"):
        raise typer.BadParameter(f"{value!r} is not one of: female, male")
    return value


@contextlib.contextmanager
def _open_input(source: str) -> Iterator[tuple[IO[bytes], int | None]]:
    """A binary stream for a path or '-' (standard input), and its size when known."""
    if source == "-":
        yield sys.stdin.buffer, None
        return
    if Path(source).is_dir():
        raise UserError(f"{source}: is a folder, not a file")
    try:
        handle = open(source, "rb")  # noqa: SIM115 - closed below
    except OSError as error:
        raise UserError(f"{source}: {error.strerror or error}") from None
    with handle:
        yield handle, os.fstat(handle.fileno()).st_size


@contextlib.contextmanager
def _progress(total_bytes: int | None) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on standard error when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from gutnerve.render.progress import progress_bar

    with progress_bar(sys.stderr, total_bytes) as update:
        yield update


class _Failed(Exception):
    """The command finished its output but some input was bad: exit 2."""


# --------------------------------------------------------------------------
# Entry point


def _kb_from_argv(argv: Sequence[str]) -> str | None:
    for index, arg in enumerate(argv):
        if arg == "--kb" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--kb="):
            return arg[len("--kb=") :]
    return None


def _needs_findings(argv: Sequence[str]) -> bool:
    """Only `assess` (and shell completion) needs the finding flags, hence the knowledge base, to parse."""
    words = [a for i, a in enumerate(argv) if not a.startswith("-") and (i == 0 or argv[i - 1] != "--kb")]
    return (bool(words) and words[0] == "assess") or any(k.endswith("_COMPLETE") for k in os.environ if k.startswith("_GUTNERVE"))


def build_typer(argv: Sequence[str]) -> typer.Typer:
    """The app for these arguments (the finding flags come from the knowledge base they name)."""
    return build_app(Shell(_kb_from_argv(argv), argv), _needs_findings(argv))


def build_command(argv: Sequence[str]) -> Any:
    return typer.main.get_command(build_typer(argv))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (never raises)."""
    from typer._click import exceptions as click_errors

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = build_command(args).main(args=args, prog_name=PROG, standalone_mode=False)
        return int(result) if isinstance(result, int) else ExitCode.OK
    except click_errors.NoArgsIsHelpError as error:
        _write(error.ctx.get_help() if error.ctx else "")  # a bare `gutnerve` or `gutnerve kb`: show help
        return ExitCode.OK
    except click_errors.NoSuchOption as error:
        command = error.ctx.command_path if error.ctx else PROG
        hint = _did_you_mean(error.option_name, error.possibilities, command)
        return _fail(f"no such option: {error.option_name}{hint}")
    except click_errors.UsageError as error:
        return _fail(error.format_message())
    except typer.Abort:
        return _fail("aborted", ExitCode.INTERRUPTED)
    except (UserError, _Failed) as error:
        return _fail(str(error))
    except _input_errors() as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return _fail("interrupted", ExitCode.INTERRUPTED)
    except BrokenPipeError:
        _silence_stdout()
        return ExitCode.OK
    except Exception as error:  # noqa: BLE001 - the last line of defence against a traceback
        return _fail(f"internal error ({type(error).__name__}: {error}); please report it", ExitCode.INTERNAL_ERROR)


def _input_errors() -> tuple[type[Exception], ...]:
    """Bad input found by the library: imported only once an error is being handled."""
    from gutnerve.case import CaseError
    from gutnerve.knowledge import KnowledgeBaseError

    return (CaseError, KnowledgeBaseError)


def _did_you_mean(name: str, possibilities: Sequence[str] | None, command: str) -> str:
    """A close option of the command the user ran, else where its options are listed."""
    import difflib

    close = difflib.get_close_matches(name, list(possibilities or ()), n=1, cutoff=0.5)
    return f" (did you mean {close[0]}?)" if close else f" (run `{command} --help` for its options)"


def _fail(message: str, code: ExitCode = ExitCode.BAD_INPUT) -> int:
    sys.stderr.write(f"{PROG}: error: {' '.join(message.split())}\n")
    return int(code)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


def run() -> NoReturn:
    """Console-script entry point."""
    sys.exit(main())
