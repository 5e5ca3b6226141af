"""Shared kernel: ids, money, points, clock, errors and tenancy. Imports no framework."""
