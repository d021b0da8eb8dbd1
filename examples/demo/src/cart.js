// A small shopping cart. Prices are integer cents so totals never suffer from float rounding.

export function createCart() {
  /** @type {Map<string, { sku: string, name: string, priceCents: number, qty: number }>} */
  const lines = new Map();

  return {
    add(item, qty = 1) {
      if (!Number.isInteger(qty) || qty <= 0) throw new RangeError(`bad quantity: ${qty}`);
      if (!Number.isInteger(item.priceCents) || item.priceCents < 0) {
        throw new RangeError(`bad price for ${item.sku}: ${item.priceCents}`);
      }
      const line = lines.get(item.sku);
      if (line) line.qty += qty;
      else lines.set(item.sku, { ...item, qty });
    },

    remove(sku, qty = Infinity) {
      const line = lines.get(sku);
      if (!line) return false;
      line.qty -= qty;
      if (line.qty <= 0) lines.delete(sku);
      return true;
    },

    count() {
      let n = 0;
      for (const line of lines.values()) n += line.qty;
      return n;
    },

    subtotal() {
      let cents = 0;
      for (const line of lines.values()) cents += line.priceCents * line.qty;
      return cents;
    },

    /**
     * Total after a discount: `{ percent }` off the subtotal or `{ amountCents }` off, never
     * below zero. Percentages round to the nearest cent.
     */
    total(discount) {
      const subtotal = this.subtotal();
      if (!discount) return subtotal;
      if (discount.percent !== undefined) {
        if (discount.percent < 0 || discount.percent > 100) {
          throw new RangeError(`bad percent: ${discount.percent}`);
        }
        return subtotal - Math.round((subtotal * discount.percent) / 100);
      }
      return Math.max(0, subtotal - discount.amountCents);
    },

    items() {
      return [...lines.values()].map((line) => ({ ...line }));
    },
  };
}
