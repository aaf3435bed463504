"""Phone photos of a sheet are found, flattened and evenly lit; scans are left alone."""

import random

import numpy as np

from dms_datagen.mailroom_set import Shown, phone_photo, render_letter
from dms_ingest.ingest.photo import flatten_photo


def test_photographed_sheet_is_cut_out_flattened_and_gets_an_a4_resolution():
    rng = random.Random(3)
    page = render_letter(["Hausverwaltung Petersen"], ["Mietbescheinigung", "Mieter: Guel Stojanovic"], Shown(), rng, 100)
    photo = np.asarray(phone_photo(page, rng))
    flat, dpi = flatten_photo(photo, 300.0)
    height, width = flat.shape[:2]
    assert abs(height / width - 297 / 210) < 0.1
    assert 70 < dpi < 100                       # the photo was taken of a 100-dpi page, shrunk to 80 %
    assert flat.shape[:2] != photo.shape[:2]    # the table around the sheet is gone
    # Evenly lit: the paper is about equally bright in every corner.
    h, w = height // 10, width // 10
    corners = [np.median(flat[:h, :w]), np.median(flat[:h, -w:]), np.median(flat[-h:, :w]), np.median(flat[-h:, -w:])]
    assert max(corners) - min(corners) < 12


def test_a_scan_white_to_the_edge_is_not_a_photo():
    rng = random.Random(4)
    page = np.asarray(render_letter(["Landkreis"], ["Bescheid"], Shown(), rng, 100))
    assert flatten_photo(page, 100.0) is None
