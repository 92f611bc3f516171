"""The coordinators' exports of every rating: CSV for French Excel and XLSX workbooks."""
