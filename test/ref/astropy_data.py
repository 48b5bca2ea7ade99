"""Prints where the installed astropy keeps its own test data: {"fits": .../io/fits/tests/data, "wcs": .../wcs/tests/data}."""
import json
import os

import astropy

root = os.path.dirname(astropy.__file__)
print(json.dumps({"fits": os.path.join(root, "io", "fits", "tests", "data"), "wcs": os.path.join(root, "wcs", "tests", "data")}))
