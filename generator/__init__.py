"""briefing: a static site and handout generator for alliance briefs."""

__version__ = "0.1.0"
