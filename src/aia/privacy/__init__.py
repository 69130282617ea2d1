"""Everything personal: pseudonymisation, the key store, consent, erasure, audit."""
