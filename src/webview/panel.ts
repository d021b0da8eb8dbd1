// What every panel view offers main.ts: its root element, and a way to take a new state.
export interface PanelView<S> {
  readonly element: HTMLElement;
  update(state: S): void;
}
