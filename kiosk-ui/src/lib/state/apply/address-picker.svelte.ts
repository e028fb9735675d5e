import {
  composeAddress,
  levelOfChoices,
  matchAddress,
  provinceCode,
  streetsOf,
  type Division,
  type DivisionLevel,
  type StreetTable,
} from '../../address-divisions.ts';

export interface DivisionSource {
  readonly divisions: () => Promise<readonly Division[]>;
  readonly streets: (provinceCode: string) => Promise<StreetTable>;
}

export type PickerStatus = 'loading' | 'ready' | 'unavailable';

/** What a tap on a choice did: went one step down, or finished with the field's new text. */
export type ChoiceResult = { readonly done: false } | { readonly done: true; readonly text: string };

/**
 * The address picker of one address field (issue 10): 省 → 市 → 区/县 → 街道/乡镇, then the field's text
 * is the chosen names followed by what the text had after the names it began with. It opens where that
 * text already is: 北京市朝阳区建国路88号 opens at 朝阳区's streets, with 北京市 › 朝阳区 chosen.
 */
export class AddressPicker {
  status = $state<PickerStatus>('loading');
  /** The divisions chosen so far, outermost first. */
  path = $state.raw<readonly Division[]>([]);
  /** At this step, the name the field's text already has (marked among the choices), if any. */
  current = $state<string | undefined>(undefined);
  /** Streets of the chosen province, once its chunk has loaded. */
  streets = $state.raw<StreetTable | undefined>(undefined);

  #provinces = $state.raw<readonly Division[]>([]);
  readonly #source: DivisionSource;
  readonly #text: string;
  /** What the field holds after the division names it began with (all of it until start() matched). */
  #rest: string;
  #streetsFor: string | undefined;
  #streetsLoad: Promise<void> | undefined;

  readonly choices = $derived.by((): readonly Division[] => {
    const last = this.path.at(-1);
    if (last === undefined) return this.#provinces;
    return last.children.length > 0 ? last.children : streetsOf(last, this.streets);
  });
  readonly level = $derived<DivisionLevel>(levelOfChoices(this.choices));

  constructor(text: string, source: DivisionSource) {
    this.#source = source;
    this.#text = text;
    this.#rest = text;
  }

  /** Loads the divisions and opens at the ones the field's text begins with. */
  async start(): Promise<void> {
    let provinces: readonly Division[];
    try {
      provinces = await this.#source.divisions();
    } catch {
      this.status = 'unavailable';
      return;
    }
    this.#provinces = provinces;
    let match = matchAddress(provinces, this.#text);
    const first = match.path[0];
    if (first !== undefined) {
      await this.#loadStreets(provinceCode(first));
      match = matchAddress(provinces, this.#text, (district) => streetsOf(district, this.streets));
    }
    this.#rest = this.#text.slice(match.consumed);
    const last = match.path.at(-1);
    const hasNext = last !== undefined && (last.children.length > 0 || streetsOf(last, this.streets).length > 0);
    // The last match with nothing below it (a street, a district without streets) is shown among its
    // siblings, marked, so that the citizen sees where the text is and can change it.
    this.path = hasNext ? match.path : match.path.slice(0, -1);
    this.current = hasNext ? undefined : last?.name;
    this.status = 'ready';
  }

  /** The field's text for the divisions chosen now (the names, then the rest of the old text). */
  textFor(path: readonly Division[]): string {
    return composeAddress(path, this.#rest);
  }

  /** A tap on a choice: one step down, or the end (nothing below it). */
  async choose(division: Division): Promise<ChoiceResult> {
    const path = [...this.path, division];
    if (division.level === 'province') void this.#loadStreets(provinceCode(division));
    if (division.children.length === 0 && division.level === 'district') {
      await this.#loadStreets(provinceCode(division));
    }
    const below = division.children.length > 0 || streetsOf(division, this.streets).length > 0;
    if (!below) return { done: true, text: this.textFor(path) };
    this.path = path;
    this.current = undefined;
    return { done: false };
  }

  /** At the street step: no street, the rest is typed. */
  finishHere(): string {
    return this.textFor(this.path);
  }

  /** One step up; false at the first step (the picker closes). */
  back(): boolean {
    if (this.path.length === 0) return false;
    this.current = this.path.at(-1)?.name;
    this.path = this.path.slice(0, -1);
    return true;
  }

  #loadStreets(code: string): Promise<void> {
    if (this.#streetsFor === code && this.#streetsLoad !== undefined) return this.#streetsLoad;
    this.#streetsFor = code;
    this.streets = undefined;
    this.#streetsLoad = this.#source.streets(code).then(
      (table) => {
        if (this.#streetsFor === code) this.streets = table;
      },
      () => {
        if (this.#streetsFor === code) this.streets = {};
      },
    );
    return this.#streetsLoad;
  }
}
