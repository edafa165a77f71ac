"""An independent pure-Python (integer) implementation of tc0flow's fixed-point sampler.

Written from the contract in sampler/README.md ("The fixed-point operation graph") and SPEC.md
section 2, not from the C++ sources, so that agreement on the goldens means two implementations of
the contract agree bit for bit. See tools/train/README.md.
"""
