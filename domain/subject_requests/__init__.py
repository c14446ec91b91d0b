"""Data-subject requests of candidates and employees: access, portability, rectification, erasure, restriction."""
