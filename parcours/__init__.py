"""Parcours: peer learning paths for catalyseurs territoriaux."""

from pathlib import Path

from flask import Flask

from parcours.core import paths


def create_app(config: dict | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, error handlers, CLI."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(paths.TEMPLATES),
        static_folder=str(paths.STATIC),
    )
    from parcours import config as configuration

    configuration.load(app, config)
    from parcours.core import log

    log.init_app(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    proxies = int(app.config["PARCOURS_PROXY_COUNT"])
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )

    from parcours import models  # noqa: F401  (every table known before anything else)
    from parcours.core import (
        changes,
        converters,
        edge,
        extensions,
        forms,
        fragments,
        i18n,
        markdown,
        page_cache,
        pipeline,
        security,
    )
    from parcours.core.db import hide_values_in_errors, register_sqlite_pragmas, wait_for_locks
    from parcours.core.kept import register_sqlite_function
    from parcours.outbox import mail as outbox_mail

    register_sqlite_pragmas()
    register_sqlite_function()
    extensions.db.init_app(app)
    with app.app_context():
        wait_for_locks(extensions.db.engine, app.config["PARCOURS_SQLITE_BUSY_TIMEOUT_MS"])
        hide_values_in_errors(extensions.db.engine)
    extensions.migrate.init_app(
        app,
        extensions.db,
        directory=str(paths.MIGRATIONS),
        render_as_batch=True,  # SQLite can only alter tables by copying them
        compare_type=True,
    )
    edge.init_app(app)  # before CSRF, so that nothing reads a value it refuses
    extensions.csrf.init_app(app)
    i18n.init_app(app)
    forms.init_app(app)
    fragments.init_app(app)
    markdown.init_app(app)
    outbox_mail.init_app(app)
    pipeline.init_app(app)
    changes.init_app(app)
    page_cache.init_app(app)
    security.init_app(app)
    from parcours import storage

    storage.init_app(app)
    app.url_map.converters["int"] = converters.BoundedIntegerConverter  # before any route

    from parcours.accounts import auth

    auth.init_app(app)

    # Each domain answers the signals of the domains below it (pages, reactions to changes).
    from parcours.accounts.views import bp as accounts_bp
    from parcours.admin.views import bp as admin_bp
    from parcours.agenda import subscribers as agenda_subscribers  # noqa: F401
    from parcours.agenda.views import bp as agenda_bp
    from parcours.attendance import subscribers as attendance_subscribers  # noqa: F401
    from parcours.attendance.views import bp as attendance_bp
    from parcours.cohorts import subscribers as cohorts_subscribers  # noqa: F401
    from parcours.cohorts.views import bp as cohorts_bp
    from parcours.competences import subscribers as competences_subscribers  # noqa: F401
    from parcours.competences.views import bp as competences_bp
    from parcours.core.health import bp as health_bp
    from parcours.evaluation.views import bp as evaluation_bp
    from parcours.home import bp as home_bp
    from parcours.privacy.views import bp as privacy_bp
    from parcours.suivi.views import bp as suivi_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(cohorts_bp)
    app.register_blueprint(agenda_bp)
    app.register_blueprint(attendance_bp)
    app.register_blueprint(suivi_bp)
    app.register_blueprint(competences_bp)
    app.register_blueprint(evaluation_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(privacy_bp)

    from parcours.core import errors

    errors.init_app(app)

    from parcours.accounts.cli import users_cli
    from parcours.backup.cli import backup_command, restore_command
    from parcours.curricula.cli import curricula_cli
    from parcours.demo.cli import demo_command
    from parcours.jobs.cli import scheduler_command
    from parcours.privacy.retention_cli import retention_command

    app.cli.add_command(users_cli)
    app.cli.add_command(curricula_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(retention_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    return app
