"""Reports of a run: terminal lines, JUnit XML (more to come: HTML, matrices, run folders)."""
