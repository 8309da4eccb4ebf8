"""A validated record prepared once for the indicator checks: members with their ages."""

# household-record.md: age is reckoned at interview.started_at; a birth year alone counts as born on 1 July.
BIRTH_YEAR_ONLY_MONTH_DAY = "07-01"


class Household:
    """The record, the interview date, each member's age in whole years, and notes gathered on the way."""

    __slots__ = ("record", "members", "size", "year", "ref", "people", "notes")

    def __init__(self, record, year):
        self.record = record
        self.members = record["members"]
        self.size = len(self.members)
        self.year = year
        # The canonical ISO time starts with the local date of the interview (fields.DateTimeStr).
        self.ref = ref = record["interview"]["started_at"][:10]
        ref_year, ref_md = int(ref[:4]), ref[5:]
        people = []
        for m in self.members:
            born = m.get("birth_date")
            if born is None:
                age = ref_year - m["birth_year"] - (BIRTH_YEAR_ONLY_MONTH_DAY > ref_md)
            else:
                age = ref_year - int(born[:4]) - (born[5:] > ref_md)
            people.append((m, age if age > 0 else 0))
        self.people = people
        self.notes = []

    def age_in_months(self, member):
        """Return a member's age in whole months at the interview date."""
        born = member.get("birth_date") or f"{member['birth_year']:04d}-{BIRTH_YEAR_ONLY_MONTH_DAY}"
        ref = self.ref
        months = (int(ref[:4]) - int(born[:4])) * 12 + int(ref[5:7]) - int(born[5:7])
        return months - (ref[8:10] < born[8:10])
