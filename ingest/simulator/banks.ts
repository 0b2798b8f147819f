// Banks as BICs: the simulated bank (one institution code, a branch BIC per home country) and a
// few correspondent banks per country, derived from the seed so any country has banks on demand.
import { Rng, hashKey } from './rng.js';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOCATION = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const BANKS_PER_COUNTRY = 4;

export class BankDirectory {
  private readonly _seed: number;
  private readonly _ownCode: string;
  private readonly _byCountry = new Map<string, readonly string[]>();
  private readonly _own = new Map<string, string>();

  constructor(seed: number) {
    this._seed = seed;
    this._ownCode = institutionCode(Rng.of(seed, 0xb4));
  }

  /** The simulated bank's BIC in a country. */
  own(country: string): string {
    let bic = this._own.get(country);
    if (bic === undefined) {
      bic = `${this._ownCode}${country}33`;
      this._own.set(country, bic);
    }
    return bic;
  }

  /** Other banks in a country (never the simulated bank). */
  others(country: string): readonly string[] {
    let list = this._byCountry.get(country);
    if (list === undefined) {
      const rng = Rng.of(this._seed, 0xb5, hashKey(0, country.charCodeAt(0), country.charCodeAt(1)));
      const codes = new Set<string>();
      while (codes.size < BANKS_PER_COUNTRY) {
        const code = institutionCode(rng);
        if (code !== this._ownCode) codes.add(code);
      }
      list = [...codes].map((code) => `${code}${country}${LOCATION[rng.int(0, 25)]}${LOCATION[rng.int(0, 35)]}`);
      this._byCountry.set(country, list);
    }
    return list;
  }

  other(country: string, rng: Rng): string {
    return rng.pick(this.others(country));
  }
}

function institutionCode(rng: Rng): string {
  let code = '';
  for (let i = 0; i < 4; i++) code += LETTERS[rng.int(0, 25)];
  return code;
}
