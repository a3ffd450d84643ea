"""The synthetic population the registries hold: a deterministic generator of the Karaganda region's
people (generator.py: households.py and histories.py for the ordinary population, personas.py and
clean_personas.py, built with cast.py, for the people who exercise each rule; builder.py numbers
everything; names.py and iin_serials.py supply names and IINs), its records (records.py), an
independent reading of the rules that checks the personas' traits (traits.py), and the loader that
stores it once into the registries' tables (loader.py, the only module here that touches the database:
it writes the tables of `services.registry_stub.models`).

Dependencies point one way: this package may import the service's models; `registries` never imports
it.
"""
