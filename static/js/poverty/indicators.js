// The kinds of deficit indicator (server/poverty/deficits.py written again): each reads a Household and the
// parameters its rule file gives it. Every figure comes from the rule file's params, never from this module.
import { required } from "./errors.js";

/** kind -> {needs: the record answers it needs, build(params) -> check(household) -> boolean} */
export const KINDS = {
  employment: {
    needs: [],
    build(p) {
      const deprived = new Set(p.deprived_employment);
      const lo = p.working_age_min;
      const table = {};
      for (const [sex, byYear] of Object.entries(p.retirement_age)) {
        const months = new Map();
        for (const [year, [y, m]] of Object.entries(byYear)) months.set(Number(year), y * 12 + m);
        table[sex] = { months, first: Math.min(...months.keys()), last: Math.max(...months.keys()) };
      }
      return (h) => {
        for (const [m, age] of h.people) {
          if (deprived.has(m.employment) && age >= lo) {
            if (h.ageInMonths(m) < monthsFor(table[m.sex], h.year)) return true;
          }
        }
        return false;
      };
    },
  },
  dependants: {
    needs: [],
    build(p) {
      const child = p.child_under_age, elderly = p.elderly_min_age, pct = p.share_above_pct;
      const disabled = new Set(p.dependant_disabilities);
      return (h) => {
        let count = 0;
        for (const [m, age] of h.people) if (age < child || age >= elderly || disabled.has(m.disability)) count += 1;
        return count * 100 > pct * h.size; // "more than" the share: exactly on it is not deprived
      };
    },
  },
  nutrition: {
    needs: [],
    build(p) {
      const child = p.child_under_age, deprived = new Set(p.deprived_codes);
      return (h) => {
        const unanswered = [];
        for (const [m, age] of h.people) {
          if (age < child) {
            const state = m.malnutrition ?? null;
            if (deprived.has(state)) return true;
            if (state === null) unanswered.push(m.line);
          }
        }
        if (unanswered.length) h.notes.push(["malnutrition_not_answered", { lines: unanswered.join(", ") }]);
        return false;
      };
    },
  },
  health_insurance: {
    needs: [],
    build(p) {
      const lo = p.min_age;
      return (h) => h.people.some(([m, age]) => age >= lo && !m.health_insurance);
    },
  },
  adult_education: {
    needs: [],
    build(p) {
      const byAge = bandsByAge(p.bands, "diplomas");
      return (h) => {
        for (const [m, age] of h.people) {
          const accepted = byAge.get(age);
          if (accepted === undefined || m.schooling !== "not_attending") continue;
          if (!accepted.has(m.highest_diploma)) return true;
        }
        return false;
      };
    },
  },
  child_schooling: {
    needs: [],
    build(p) {
      const lo = p.min_age, hi = p.under_age;
      const byAge = bandsByAge(p.levels_by_age, "levels");
      for (let age = lo; age < hi; age += 1) {
        if (!byAge.has(age)) throw new Error(`child_schooling: no band for age ${age}`);
      }
      return (h) => {
        const unanswered = [];
        for (const [m, age] of h.people) {
          if (lo <= age && age < hi) {
            if (m.schooling === "not_attending") return true;
            const level = m.school_level ?? null;
            if (level === null) unanswered.push(m.line);
            else if (!byAge.get(age).has(level)) return true;
          }
        }
        if (unanswered.length) h.notes.push(["school_level_not_answered", { lines: unanswered.join(", ") }]);
        return false;
      };
    },
  },
  housing_quality: {
    needs: ["housing.durable"],
    build(p) {
      const least = p.min_non_durable_parts;
      return (h) => {
        const d = h.record.housing.durable;
        for (const part of ["foundation", "walls", "roof"]) {
          if (typeof d[part] !== "boolean") throw required(h.messages, `housing.durable.${part}`);
        }
        return (d.foundation ? 0 : 1) + (d.walls ? 0 : 1) + (d.roof ? 0 : 1) >= least;
      };
    },
  },
  floor_area: {
    needs: ["housing.floor_area_m2"],
    build(p) {
      const least = p.min_m2_per_person;
      // Compared as area < least × members, so no rounding of a per-person figure decides the case.
      return (h) => h.record.housing.floor_area_m2 < least * h.size;
    },
  },
  water: {
    needs: ["water_source"],
    build(p) {
      const safe = new Set(p.safe_sources);
      return (h) => !safe.has(h.record.water_source);
    },
  },
  toilet: {
    needs: ["toilet"],
    build(p) {
      const hygienic = new Set(p.hygienic_toilets);
      return (h) => !hygienic.has(h.record.toilet);
    },
  },
  internet: {
    needs: ["internet_use"],
    build() {
      return (h) => !h.record.internet_use;
    },
  },
  info_devices: {
    needs: ["info_devices"],
    build(p) {
      const counted = new Set(p.devices);
      return (h) => !h.record.info_devices.some((d) => counted.has(d));
    },
  },
  waste: {
    needs: ["waste_handling"],
    build(p) {
      const safe = new Set(p.safe_handling);
      return (h) => !safe.has(h.record.waste_handling);
    },
  },
};

/** The table's entry for a year, or the nearest year's when the year lies outside it. */
function monthsFor(table, year) {
  const y = Math.min(Math.max(year, table.first), table.last);
  const months = table.months.get(y);
  if (months === undefined) throw new Error(`retirement_age: no entry for ${y}`);
  return months;
}

/** Map each age of the bands to its accepted codes. */
function bandsByAge(bands, key) {
  const out = new Map();
  for (const b of bands) for (let age = b.min_age; age <= b.max_age; age += 1) out.set(age, new Set(b[key]));
  return out;
}
