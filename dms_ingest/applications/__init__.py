"""Applications on a case (Vorgänge): required documents, their status, the letter for what is missing."""
