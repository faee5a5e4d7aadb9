import { StreamEntry } from '../streams';

/** A stream entry handed to this replica, with how many times Redis has delivered it so far. */
export type Delivery = StreamEntry;
