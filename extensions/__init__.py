"""Jinja extensions of the gofactory template and the tool that locks its Go dependencies.

A package only so that these modules are importable (and type-checked) as
``extensions.gofactory`` / ``extensions.lock_go_deps`` without clashing with the CLI
package ``gofactory`` in src/. Copier itself loads extensions/gofactory.py by path.
"""
