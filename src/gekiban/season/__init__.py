"""A season of music: the music menu (音楽メニュー) read and checked, planned (shared palette,
key plan, seeds), built through an executor with resume, its cue sheet and contact sheet; a
draft menu from a script; and the palette consistency measure (``docs/menu.md``).

Submodules are imported by their users (the planner reads prompts, the builder needs the
executor); this package imports nothing at load.
"""
