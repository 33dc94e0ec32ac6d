"""Which platforms this process can deliver to, for `kept worker` (which serves no routes)."""

from __future__ import annotations

from bot.services import Services


class StartupError(RuntimeError):
    """A setting that stops Kept from starting safely; its text says what to change."""


def register_notifiers(services: Services) -> None:
    """Add the Slack and Teams notifiers the settings allow, as `kept serve` does when mounting routes."""
    from bot.teams.adapter import TeamsSettingsError
    from bot.teams.routes import InsecureTeamsError, check_insecure_teams

    settings = services.settings
    if settings.slack_configured or settings.slack_app_token:
        from bot.slack.routes import notifier_for

        services.notifiers.setdefault("slack", notifier_for(services))
    try:
        if check_insecure_teams(settings):
            from bot.teams.notifier import teams_notifier

            services.notifiers.setdefault("teams", teams_notifier(services))
    except (InsecureTeamsError, TeamsSettingsError) as exc:
        raise StartupError(str(exc)) from exc
