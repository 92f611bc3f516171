"""The personal-data blueprint, which every feature's views register on."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)
