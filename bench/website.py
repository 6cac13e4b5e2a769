"""The seed's receiving server, as the 2022 tutorial wrote it: a web.py app.

``GET /`` answers "Hello, world!"; ``POST /`` reads the raw body, prints it as pretty JSON
(sorted keys, indent 4) or raw when it is not JSON, and answers "Hello, world!". Started as
``python website.py PORT`` (the benchmark passes ``127.0.0.1:PORT``, which web.py also accepts,
so it listens on loopback only) with stdout sent to /dev/null. web.py's defaults are kept,
as in the tutorial: cheroot's thread pool, the access log on stderr, and debug mode (module
reloading), which web.py switches on for its built-in server.
"""

import json

import web

urls = ("/", "index")


class index:  # web.py dispatches to the class named in urls
    def GET(self):
        return "Hello, world!"

    def POST(self):
        data = web.data()
        try:
            print(json.dumps(json.loads(data), sort_keys=True, indent=4))
        except ValueError:
            print(data)
        return "Hello, world!"


if __name__ == "__main__":
    app = web.application(urls, globals())
    app.run()
