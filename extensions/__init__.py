"""The template's machinery: its Jinja extension and the tool that locks its Go dependencies.

A package so that these modules are importable (and type-checked) as
``extensions.template_extension`` / ``extensions.lock_go_deps`` from the repository root.
Copier itself loads extensions/template_extension.py by path.
"""
