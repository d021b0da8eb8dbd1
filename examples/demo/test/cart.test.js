// The cart's behaviour: all green.
import { beforeEach, describe, expect, test } from 'vitest';
import { createCart } from '../src/cart.js';

const apple = { sku: 'apple', name: 'Apple', priceCents: 50 };
const bread = { sku: 'bread', name: 'Bread', priceCents: 325 };

let cart;
beforeEach(() => {
  cart = createCart();
});

describe('cart', () => {
  describe('add', () => {
    test('adds a new line', () => {
      cart.add(apple, 3);
      expect(cart.items()).toEqual([{ ...apple, qty: 3 }]);
    });

    test('merges the same item into one line', () => {
      cart.add(apple);
      cart.add(apple, 2);
      expect(cart.count()).toBe(3);
      expect(cart.items()).toHaveLength(1);
    });

    test('rejects a quantity that is not a positive integer', () => {
      expect(() => cart.add(apple, 0)).toThrow(RangeError);
      expect(() => cart.add(apple, 1.5)).toThrow(/bad quantity/);
    });
  });

  describe('remove', () => {
    test('removes part of a line', () => {
      cart.add(bread, 3);
      cart.remove('bread', 1);
      expect(cart.count()).toBe(2);
    });

    test('removes the whole line by default', () => {
      cart.add(bread, 3);
      expect(cart.remove('bread')).toBe(true);
      expect(cart.items()).toEqual([]);
    });

    test('says so when the item is not in the cart', () => {
      expect(cart.remove('nothing')).toBe(false);
    });
  });

  describe('total', () => {
    test('sums price times quantity', () => {
      cart.add(apple, 4);
      cart.add(bread);
      expect(cart.total()).toBe(525);
    });

    test('applies a percentage discount, rounded to the cent', () => {
      cart.add(bread); // 325 * 15% = 48.75 -> 49
      expect(cart.total({ percent: 15 })).toBe(276);
    });

    test('applies a fixed discount but never goes below zero', () => {
      cart.add(apple);
      expect(cart.total({ amountCents: 20 })).toBe(30);
      expect(cart.total({ amountCents: 500 })).toBe(0);
    });
  });
});
