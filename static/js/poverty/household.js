// A record prepared once for the indicator checks: members with their ages (server/poverty/household.py).
// household-record.md: age is reckoned at interview.started_at; a birth year alone counts as born on 1 July.
import { RecordError, required } from "./errors.js";

export const BIRTH_YEAR_ONLY_MONTH_DAY = "07-01";
const DATE_PART = /^(\d{4})-?(\d{2})-?(\d{2})/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// The member answers the indicator checks read; the contract requires each of them.
const MEMBER_FIELDS = ["sex", "health_insurance", "schooling", "highest_diploma", "employment", "disability"];

/** The interview's date as written (the date in the offset it carries, as the server's canonical form keeps). */
export function interviewDate(messages, record) {
  const started = record.interview?.started_at;
  if (started == null || started === "") throw required(messages, "interview.started_at");
  const m = typeof started === "string" ? DATE_PART.exec(started) : null;
  if (!m) throw new RecordError(messages, [{ path: "interview.started_at", code: "invalid_datetime" }]);
  return `${m[1]}-${m[2]}-${m[3]}`;
}

export class Household {
  constructor(messages, record, year) {
    this.messages = messages;
    this.record = record;
    const members = record.members;
    if (!Array.isArray(members) || members.length === 0) throw required(messages, "members");
    this.members = members;
    this.size = members.length;
    this.year = year;
    const ref = (this.ref = interviewDate(messages, record));
    const refYear = Number(ref.slice(0, 4));
    const refMd = ref.slice(5);
    this.people = members.map((m, i) => {
      for (const key of MEMBER_FIELDS) {
        if (m[key] == null) throw required(messages, `members[${i}].${key}`);
      }
      const born = m.birth_date;
      let age;
      if (born == null) {
        if (!Number.isInteger(m.birth_year)) {
          throw new RecordError(messages, [{ path: `members[${i}].birth_date`, code: "birth_missing" }]);
        }
        age = refYear - m.birth_year - (BIRTH_YEAR_ONLY_MONTH_DAY > refMd ? 1 : 0);
      } else {
        if (typeof born !== "string" || !DATE.test(born)) {
          throw new RecordError(messages, [{ path: `members[${i}].birth_date`, code: "invalid_date" }]);
        }
        age = refYear - Number(born.slice(0, 4)) - (born.slice(5) > refMd ? 1 : 0);
      }
      return [m, age > 0 ? age : 0];
    });
    this.notes = [];
  }

  /** A member's age in whole months at the interview date. */
  ageInMonths(member) {
    const born = member.birth_date ?? `${String(member.birth_year).padStart(4, "0")}-${BIRTH_YEAR_ONLY_MONTH_DAY}`;
    const ref = this.ref;
    const months = (Number(ref.slice(0, 4)) - Number(born.slice(0, 4))) * 12
      + Number(ref.slice(5, 7)) - Number(born.slice(5, 7));
    return months - (ref.slice(8, 10) < born.slice(8, 10) ? 1 : 0);
  }
}
