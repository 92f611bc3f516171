"""The competences blueprint, which every feature's views register on."""

from flask import Blueprint

bp = Blueprint("competences", __name__)
