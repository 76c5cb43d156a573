"""Charts drawn as SVG on the server: :mod:`.geometry` lays out bars, :mod:`.dashboards` the
dashboards' two charts from figures their callers computed."""
