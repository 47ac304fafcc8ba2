"""The payer packet: a PDF a reviewer reads in two minutes, and its PWK attachment number.

``assemble`` (content.py) works out what the packet shows; ``render_pdf`` (render.py) lays it
out with reportlab and a matplotlib chart; ``records`` stores the completeness score and the
control number with the claim or auth request.  See docs/packet.md.
"""

from __future__ import annotations
