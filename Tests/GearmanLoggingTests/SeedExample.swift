/// The example logging.config of the seed's "Logging" section, byte for byte.
let seedExample = """
    [loggers]
    keys=root,gear

    [handlers]
    keys=console,debug,info

    [formatters]
    keys=simple

    [logger_root]
    level=WARNING
    handlers=console

    [logger_gear]
    level=INFO
    handlers=debug,info
    qualname=gear

    [handler_console]
    level=WARNING
    class=StreamHandler
    formatter=simple
    args=(sys.stdout,)

    [handler_debug]
    level=DEBUG
    class=logging.handlers.TimedRotatingFileHandler
    formatter=simple
    args=('/var/log/gear/debug.log', 'midnight', 1, 30,)

    [handler_info]
    level=INFO
    class=logging.handlers.TimedRotatingFileHandler
    formatter=simple
    args=('/var/log/gear/info.log', 'midnight', 1, 30,)

    [formatter_simple]
    format=%(asctime)s %(levelname)s %(name)s: %(message)s
    datefmt=
    """
