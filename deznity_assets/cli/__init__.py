"""The `deznity` command line: each command stands for one of the original npm scripts."""

from __future__ import annotations

import click

from . import admin, clients, experiments, leads, processing, review, serve, webhooks


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="deznity")
def main() -> None:
    """Deznity: an AI digital agency that runs itself on Dagster.

    Client rows with status `pending` become finished packages in output/<slug>/;
    output/index.html is the dashboard of every client. Long work shows a progress
    bar per client on a terminal, plain lines when piped. Settings come from the
    environment or a .env file (`deznity env` lists them).
    """


for _module in (clients, processing, review, serve, webhooks, leads, experiments, admin):
    for _command in _module.COMMANDS:
        main.add_command(_command)


if __name__ == "__main__":
    main()
