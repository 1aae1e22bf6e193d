package message

import "time"

// Subscribe returns a channel that receives a signal after a message for
// the user has been stored (the notification that wakes read_sms
// long-polls), and the function that ends the subscription. The channel
// holds one pending signal, so a burst of messages wakes a slow reader once;
// a reader looks the news up itself. Other changes of the user (a balance)
// and messages stored by other processes also signal it (see waiters);
// while those cannot be heard, it is signalled every second.
func (s *Service) Subscribe(userID int64) (<-chan struct{}, func()) {
	wt := s.waiters.add(userID, time.Time{})
	return wt.ch, func() { s.waiters.remove(userID, wt) }
}
